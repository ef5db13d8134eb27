"""vdsr_lib: a small, tested re-implementation of VDSR (Kim, Lee & Lee, CVPR 2016).

The book's chapters import everything from here::

    from vdsr_lib import VDSR, imresize, make_pair, psnr, ssim, train, TrainConfig, evaluate
"""
from .benchmark import PAPER_TABLE3, evaluate, format_table
from .budget import budget_name, describe as describe_budget, pick
from .checkpoint import load_model, read_meta, save_model
from .clipping import clip_gradients
from .color import rgb2y, rgb2ycbcr, ycbcr2rgb
from .datasets import data_root, load_dataset, load_image
from .degrade import Pair, make_pair, quantize
from .imresize import imresize, modcrop
from .inference import default_device, predict_y, upscale
from .metrics import psnr, score_y, shave, ssim
from .model import VDSR, count_parameters, receptive_field
from .official import load_official
from .pretrained import load_pretrained, pretrained_path
from .train import TrainConfig, train

__version__ = "0.1.0"
__all__ = ["PAPER_TABLE3", "Pair", "TrainConfig", "VDSR", "budget_name", "clip_gradients", "count_parameters",
           "data_root", "default_device", "describe_budget", "evaluate", "format_table", "imresize",
           "load_dataset", "load_image", "load_model", "load_official", "load_pretrained", "make_pair", "modcrop", "pick",
           "predict_y", "pretrained_path", "psnr", "quantize", "read_meta", "receptive_field", "rgb2y",
           "rgb2ycbcr", "save_model", "score_y", "shave", "ssim", "train", "upscale", "ycbcr2rgb"]
